"""Closed lists the registry records against: codes that partners share, labels translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Sex(models.TextChoices):
    MALE = "m", _("Male")
    FEMALE = "f", _("Female")


class DatePrecision(models.TextChoices):
    EXACT = "exact", _("Exact date")
    MONTH = "month", _("Month known")
    YEAR = "year", _("Year known")
    ESTIMATED = "estimated", _("Estimated")


class RegistrationLevel(models.TextChoices):
    """UNHCR practice: the minimum per person first in an emergency, the rest completed later."""

    EMERGENCY = "emergency", _("Emergency: the minimum per person, completed later")
    FULL = "full", _("Full: every detail now")


class Relationship(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    SON = "son", _("Son")
    DAUGHTER = "daughter", _("Daughter")
    FATHER = "father", _("Father")
    MOTHER = "mother", _("Mother")
    BROTHER = "brother", _("Brother")
    SISTER = "sister", _("Sister")
    GRANDCHILD = "grandchild", _("Grandchild")
    GRANDPARENT = "grandparent", _("Grandparent")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    NON_RELATIVE = "non_relative", _("Not related")


class Education(models.TextChoices):
    NONE = "none", _("No formal education")
    PRIMARY = "primary", _("Primary")
    SECONDARY = "secondary", _("Secondary")
    VOCATIONAL = "vocational", _("Vocational")
    UNIVERSITY = "university", _("University")
    POSTGRADUATE = "postgraduate", _("Postgraduate")


class DocumentType(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    NATIONAL_ID = "national_id", _("Syrian national ID card")
    FAMILY_BOOKLET = "family_booklet", _("Family booklet")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    MIGRATION_CARD = "migration_card", _("Migration card")
    APPLICATION_CERTIFICATE = (
        "application_certificate",
        _("Certificate of application under consideration"),
    )
    TEMPORARY_ASYLUM = "temporary_asylum", _("Certificate of temporary asylum")
    REFUGEE_ID = "refugee_id", _("Refugee certificate")
    DIPLOMA = "diploma", _("Diploma")
    OTHER = "other", pgettext_lazy("document type", "Other")


class Language(models.TextChoices):
    ARABIC = "ar", _("Arabic")
    RUSSIAN = "ru", _("Russian")
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")
    KURDISH = "ku", _("Kurdish")
    TURKISH = "tr", _("Turkish")
    ARMENIAN = "hy", _("Armenian")
    CIRCASSIAN = "ady", _("Circassian")


class SpecificNeed(models.TextChoices):
    """UNHCR specific-needs codes, the categories and the sub-codes most used in registration."""

    CR = "CR", _("Child at risk")
    SC = "SC", _("Unaccompanied or separated child")
    SC_UC = "SC-UC", _("Unaccompanied child")
    SC_SC = "SC-SC", _("Separated child")
    SC_CH = "SC-CH", _("Child-headed household")
    WR = "WR", _("Woman at risk")
    WR_LC = "WR-LC", _("Lactating")
    ER = "ER", _("Older person at risk")
    ER_NF = "ER-NF", _("Single older person")
    SP = "SP", _("Single parent or caregiver")
    DS = "DS", _("Disability")
    SM = "SM", _("Serious medical condition")
    SM_CI = "SM-CI", _("Chronic illness")
    SM_MI = "SM-MI", _("Mental illness")
    FU = "FU", _("Family unity")
    FU_TR = "FU-TR", _("Tracing required")
    FU_FR = "FU-FR", _("Reunification required")
    LP = "LP", _("Specific legal and physical protection needs")
    LP_ND = "LP-ND", _("No legal documentation")
    LP_MD = "LP-MD", _("Multiple displacements")
    TR = "TR", _("Torture")
    TR_WV = "TR-WV", _("Witness of violence to others")
    SV = "SV", _("Sexual and gender-based violence")


class NeedStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    CONFIRMED = "confirmed", _("Confirmed")
    CLOSED = "closed", _("No longer applies")


class ConsentScope(models.TextChoices):
    REGISTRATION = "registration", _("Registration and assistance")
    SHARING = "sharing", _("Sharing with partner organisations")
    TRACING = "tracing", _("Family tracing")
    CONTACT = "contact", _("Contact by phone")

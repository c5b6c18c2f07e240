from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from refuge.encryption import BLIND_INDEX_LENGTH, EncryptedCharField, blind_index
from refuge.registry.dates import birth_date_label
from refuge.registry.search import normalise_document_number
from refuge.registry.vocabulary import (
    ConsentScope,
    DatePrecision,
    DocumentType,
    Education,
    Language,
    NeedStatus,
    RegistrationLevel,
    Relationship,
    Sex,
    SpecificNeed,
)

SCRIPTS = ("ar", "lat", "cyr")


def age_on(born: date | None, day: date) -> int | None:
    """Whole years from `born` to `day` by the calendar; the one rule for age (Person.age_on,
    and the registration form's members before they are people)."""
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


NAME_PARTS = ("given_name", "father_name", "family_name", "mother_name")
NAME_FIELDS = tuple(f"{part}_{script}" for part in NAME_PARTS for script in SCRIPTS)


class Place(models.Model):
    """A coded place of origin: a Syrian governorate or district with its OCHA p-code."""

    class Level(models.IntegerChoices):
        GOVERNORATE = 1, _("Governorate")
        DISTRICT = 2, _("District")

    pcode = models.CharField(_("p-code"), max_length=12, unique=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_ar = models.CharField(_("name (Arabic)"), max_length=100)
    name_ru = models.CharField(_("name (Russian)"), max_length=100)

    class Meta:
        ordering = ["pcode"]
        verbose_name = _("place")
        verbose_name_plural = _("places")

    def __str__(self):
        return self.local_name

    @property
    def local_name(self) -> str:
        language = (get_language() or "en")[:2]
        name = getattr(self, f"name_{language}", "") or self.name_en
        if self.parent_id:
            return f"{name} ({self.parent.local_name})"
        return name


class HouseholdQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Households at (or, when between sites, registered at) one of the user's sites."""
        if user.site_ids is None:
            return self
        return self.filter(
            models.Q(current_site__in=user.site_ids)
            | models.Q(current_site__isnull=True, registered_at__in=user.site_ids)
        )


class Household(models.Model):
    registration_number = models.CharField(
        _("registration number"), max_length=20, unique=True, editable=False
    )
    registered_at = models.ForeignKey(
        "sites.Site",
        verbose_name=_("registered at"),
        on_delete=models.PROTECT,
        related_name="registered_households",
    )
    # Where the household is now; kept in step with its open Stay by refuge.sites.services.
    current_site = models.ForeignKey(
        "sites.Site",
        verbose_name=_("current site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="present_households",
    )
    registered_on = models.DateField(_("registered on"))
    registration_level = models.CharField(
        _("registration level"),
        max_length=12,
        choices=RegistrationLevel.choices,
        default=RegistrationLevel.FULL,
    )
    # Encrypted at rest (refuge.encryption): a list of phones is a list of people to call.
    phone = EncryptedCharField(_("contact phone"), max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the household row last changed (its site, its phone): integrators sync on it.
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        ordering = ["-registered_on", "-pk"]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self):
        return self.registration_number

    @property
    def audit_site_id(self) -> int | None:
        return self.current_site_id or self.registered_at_id

    @property
    def head(self):
        return next((p for p in self.members.all() if p.relationship == Relationship.HEAD), None)

    @property
    def is_emergency_registration(self) -> bool:
        """Registered at the emergency level and not yet completed by a caseworker."""
        return self.registration_level == RegistrationLevel.EMERGENCY


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user.site_ids is None:
            # No IN over every household, which SQLite would build in full before any row.
            return self
        return self.filter(household__in=Household.objects.visible_to(user))


class Person(models.Model):
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="members"
    )
    relationship = models.CharField(
        _("relationship to head"), max_length=20, choices=Relationship.choices
    )
    # Each name part as written in Arabic script, a Latin form and a Cyrillic form.
    given_name_ar = models.CharField(_("given name (Arabic)"), max_length=80, blank=True)
    given_name_lat = models.CharField(_("given name (Latin)"), max_length=80, blank=True)
    given_name_cyr = models.CharField(_("given name (Cyrillic)"), max_length=80, blank=True)
    father_name_ar = models.CharField(_("father's name (Arabic)"), max_length=80, blank=True)
    father_name_lat = models.CharField(_("father's name (Latin)"), max_length=80, blank=True)
    father_name_cyr = models.CharField(_("father's name (Cyrillic)"), max_length=80, blank=True)
    family_name_ar = models.CharField(_("family name (Arabic)"), max_length=80, blank=True)
    family_name_lat = models.CharField(_("family name (Latin)"), max_length=80, blank=True)
    family_name_cyr = models.CharField(_("family name (Cyrillic)"), max_length=80, blank=True)
    mother_name_ar = models.CharField(_("mother's name (Arabic)"), max_length=80, blank=True)
    mother_name_lat = models.CharField(_("mother's name (Latin)"), max_length=80, blank=True)
    mother_name_cyr = models.CharField(_("mother's name (Cyrillic)"), max_length=80, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    birth_date_precision = models.CharField(
        _("birth date precision"),
        max_length=10,
        choices=DatePrecision.choices,
        default=DatePrecision.EXACT,
    )
    origin = models.ForeignKey(
        Place,
        verbose_name=_("origin (district or governorate)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    origin_village = models.CharField(_("village or town of origin"), max_length=120, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    profession = models.CharField(_("profession"), max_length=120, blank=True)
    education = models.CharField(
        _("education level"), max_length=20, choices=Education.choices, blank=True
    )
    # Set when the person boarded a transfer and did not arrive: they do not count as present
    # anywhere until found (see sites.FollowUp).
    missing_since = models.DateField(_("missing since"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["household", "pk"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self):
        return self.display_name

    @property
    def audit_site_id(self) -> int | None:
        return self.household.audit_site_id

    @property
    def birth_date_label(self) -> str:
        return birth_date_label(self.birth_date, self.birth_date_precision)

    @property
    def language_labels(self) -> list[str]:
        """The languages the person speaks, as words in the reader's language, not codes."""
        labels = dict(Language.choices)
        return [str(labels.get(code, code)) for code in self.languages]

    def name_in(self, script: str) -> str:
        parts = [
            getattr(self, f"{part}_{script}")
            for part in ("given_name", "father_name", "family_name")
        ]
        return " ".join(p for p in parts if p)

    @property
    def name_in_ar(self) -> str:
        return self.name_in("ar")

    @property
    def name_in_lat(self) -> str:
        return self.name_in("lat")

    @property
    def name_in_cyr(self) -> str:
        return self.name_in("cyr")

    @property
    def display_name(self) -> str:
        """The name in the script that suits the reader's language, falling back to any other."""
        language = (get_language() or "en")[:2]
        order = {"ar": ("ar", "lat", "cyr"), "ru": ("cyr", "lat", "ar")}.get(
            language, ("lat", "ar", "cyr")
        )
        return next((self.name_in(s) for s in order if self.name_in(s)), "—")

    def missing_details(self) -> list[str]:
        """What a full registration records and this person's record still lacks."""
        missing = []
        for script, label in (
            ("ar", _("name in Arabic script")),
            ("lat", _("name in Latin")),
            ("cyr", _("name in Cyrillic")),
        ):
            if not (
                getattr(self, f"given_name_{script}") and getattr(self, f"family_name_{script}")
            ):
                missing.append(label)
        if not any(getattr(self, f"father_name_{s}") for s in SCRIPTS):
            missing.append(_("father's name"))
        if self.birth_date is None:
            missing.append(_("birth date"))
        if self.origin_id is None and not self.origin_village:
            missing.append(_("place of origin"))
        return missing

    def consents_to(self, scope: str) -> bool:
        """Whether the person's consent covers this use now (a withdrawn consent does not)."""
        return any(scope in c.scopes and c.withdrawn_on is None for c in self.consents.all())

    def age_on(self, day: date) -> int | None:
        """Whole years of age on `day`, by the calendar (a baby is 0, not unknown); None only
        when the birth date is not known."""
        return age_on(self.birth_date, day)

    @property
    def other_names(self) -> list[str]:
        shown = self.display_name
        return [n for n in (self.name_in(s) for s in SCRIPTS) if n and n != shown]


class PersonNameToken(models.Model):
    """One searchable token of a person's names: a word folded for search, or a name's
    cross-script skeleton marked with search.SOUND_MARK (see registry.search)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="name_tokens")
    token = models.CharField(max_length=80)

    class Meta:
        indexes = [
            # With the person in the index, Find reads who has a token without touching the table.
            models.Index(fields=["token", "person"], name="name_token_person_idx"),
            # LIKE 'abc%' on PostgreSQL needs a pattern index whatever the database's collation.
            models.Index(
                fields=["token"], name="name_token_prefix_idx", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self):
        return self.token


class Document(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="documents")
    doc_type = models.CharField(_("document type"), max_length=30, choices=DocumentType.choices)
    # Encrypted at rest; found only by `number_index`.
    number = EncryptedCharField(_("document number"), max_length=40)
    # The blind index of the number as search.normalise_document_number writes it (upper case,
    # no spaces or dashes: how a number is typed differs, the number does not), so that Find
    # and the instant check find it exactly without the number being stored in clear.
    number_index = models.CharField(
        max_length=BLIND_INDEX_LENGTH, db_index=True, editable=False, blank=True
    )
    issuer = models.CharField(_("issued by"), max_length=120, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self):
        return f"{self.get_doc_type_display()} {self.number}"

    def save(self, *args, **kwargs):
        # The index follows the number whoever saves it (a service, an import, the admin).
        self.number_index = document_number_index(self.number)
        super().save(*args, **kwargs)


def document_number_index(number: str) -> str:
    """The blind index a document number is stored and searched by, however it was typed."""
    return blind_index("document-number", normalise_document_number(number))


class Need(models.Model):
    """A specific need flagged for a person; pending review until protection staff confirm it."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="needs")
    code = models.CharField(_("specific need"), max_length=8, choices=SpecificNeed.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=NeedStatus.choices, default=NeedStatus.PENDING
    )
    recorded_on = models.DateField(_("recorded on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        verbose_name = _("specific need")
        verbose_name_plural = _("specific needs")
        constraints = [
            models.UniqueConstraint(fields=["person", "code"], name="one_need_code_per_person")
        ]

    def __str__(self):
        return f"{self.code} ({self.status})"


class Consent(models.Model):
    """Consent to data processing: when, for what, and who wrote it down."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    scopes = models.JSONField(_("scope"), default=list)
    given_on = models.DateField(_("given on"))
    given_by_guardian = models.BooleanField(_("given by a parent or guardian"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)

    class Meta:
        ordering = ["-given_on"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self):
        return f"{self.given_on}: {', '.join(self.scopes)}"

    def scope_labels(self) -> list[str]:
        labels = dict(ConsentScope.choices)
        return [str(labels.get(s, s)) for s in self.scopes]

    @property
    def withdrawable(self) -> list[tuple[str, str]]:
        """The uses a person may withdraw from this consent (registration is ended by erasure)."""
        labels = dict(ConsentScope.choices)
        return [
            (s, labels[s]) for s in self.scopes if s in labels and s != ConsentScope.REGISTRATION
        ]

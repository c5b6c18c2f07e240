from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from refuge.formats.languages import NamedInLanguages


class SiteKind(models.TextChoices):
    SHELTER = "shelter", _("Evacuation shelter")
    TRANSIT = "transit", _("Transit point")
    ACCOMMODATION = "accommodation", _("Temporary accommodation centre")


class Site(NamedInLanguages):
    code = models.SlugField(
        _("code"),
        max_length=8,
        unique=True,
        help_text=_("Short code printed in registration numbers, e.g. PRM1."),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=SiteKind.choices)
    region = models.CharField(_("region"), max_length=120)
    country = models.CharField(_("country"), max_length=2, default="RU")
    capacity = models.PositiveIntegerField(_("capacity (people)"))
    alert_percent = models.PositiveSmallIntegerField(
        _("warning level (percent of capacity)"), default=90
    )
    is_active = models.BooleanField(_("active"), default=True)
    last_registration_seq = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [
            # Codes go into registration numbers in capitals: prm1 and PRM1 would share them.
            models.UniqueConstraint(
                Lower("code"),
                name="site_code_unique_in_any_case",
                violation_error_message=_("Another site has this code (in other letters' case)."),
            )
        ]

    @property
    def audit_site_id(self) -> int:
        return self.pk


class StayQuerySet(models.QuerySet):
    def current(self):
        return self.filter(left_on__isnull=True)


class Stay(models.Model):
    """A household's time at one site: from arrival until it leaves (open while it is there)."""

    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("household"),
        on_delete=models.CASCADE,
        related_name="stays",
    )
    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="stays"
    )
    arrived_on = models.DateField(_("arrived on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    objects = StayQuerySet.as_manager()

    class Meta:
        ordering = ["-arrived_on", "-pk"]
        verbose_name = _("stay")
        verbose_name_plural = _("stays")
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(left_on__isnull=True),
                name="one_open_stay_per_household",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("arrived_on")),
                name="stay_leaves_after_arrival",
            ),
        ]
        indexes = [models.Index(fields=["site", "left_on", "arrived_on"])]

    def __str__(self):
        return f"{self.household_id} @ {self.site_id} {self.arrived_on}–{self.left_on or ''}"

    @property
    def audit_site_id(self) -> int:
        return self.site_id


class Building(NamedInLanguages):
    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="buildings"
    )
    name = models.CharField(_("name"), max_length=80)

    class Meta:
        ordering = ["site", "name"]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="building_per_site")]


class Room(models.Model):
    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.CASCADE, related_name="rooms"
    )
    name = models.CharField(_("room"), max_length=40)
    accessible = models.BooleanField(_("accessible"), default=False)
    family_room = models.BooleanField(_("family room"), default=False)
    women_only = models.BooleanField(_("women only"), default=False)

    class Meta:
        ordering = ["building", "name"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [
            models.UniqueConstraint(fields=["building", "name"], name="room_per_building")
        ]

    def __str__(self):
        return f"{self.building.local_name} / {self.name}"


class Bed(models.Model):
    room = models.ForeignKey(
        Room, verbose_name=_("room"), on_delete=models.CASCADE, related_name="beds"
    )
    label = models.CharField(_("bed"), max_length=20)

    class Meta:
        ordering = ["room", "label"]
        verbose_name = _("bed")
        verbose_name_plural = _("beds")
        constraints = [models.UniqueConstraint(fields=["room", "label"], name="bed_per_room")]

    def __str__(self):
        return f"{self.room} / {self.label}"


class BedAssignmentQuerySet(models.QuerySet):
    def current(self):
        return self.filter(released_on__isnull=True)


class BedAssignment(models.Model):
    """A person sleeping in a bed, from one night until released."""

    bed = models.ForeignKey(Bed, on_delete=models.PROTECT, related_name="assignments")
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="bed_assignments"
    )
    assigned_on = models.DateField(_("assigned on"))
    released_on = models.DateField(_("released on"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = BedAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("bed assignment")
        verbose_name_plural = _("bed assignments")
        constraints = [
            # A bed holds one person, and a person sleeps in one bed, at a time.
            models.UniqueConstraint(
                fields=["bed"], condition=Q(released_on__isnull=True), name="one_sleeper_per_bed"
            ),
            models.UniqueConstraint(
                fields=["person"], condition=Q(released_on__isnull=True), name="one_bed_per_person"
            ),
        ]

    def __str__(self):
        return f"{self.person_id} in {self.bed_id}"


class OccupancyRecord(models.Model):
    """The nightly count of one site (written by `refuge record_occupancy`)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="occupancy_records")
    on = models.DateField(_("date"))
    people = models.PositiveIntegerField(_("people"))
    households = models.PositiveIntegerField(_("households"))
    beds = models.PositiveIntegerField(_("beds"))
    beds_taken = models.PositiveIntegerField(_("beds taken"))
    capacity = models.PositiveIntegerField(_("capacity"))

    class Meta:
        ordering = ["site", "on"]
        verbose_name = _("occupancy record")
        verbose_name_plural = _("occupancy records")
        constraints = [models.UniqueConstraint(fields=["site", "on"], name="one_count_a_night")]

    def __str__(self):
        return f"{self.site_id} {self.on}: {self.people}"


class TravelHold(models.Model):
    """A note that a household must not travel (a medical reason, a pending interview...)."""

    household = models.ForeignKey(
        "registry.Household", on_delete=models.CASCADE, related_name="travel_holds"
    )
    reason = models.CharField(_("reason"), max_length=200)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("travel hold")
        verbose_name_plural = _("travel holds")

    def __str__(self):
        return self.reason


class MovementStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DEPARTED = "departed", _("Departed")
    ARRIVED = "arrived", _("Arrived")


class Means(models.TextChoices):
    PLANE = "plane", _("Plane")
    BUS = "bus", _("Bus")
    TRAIN = "train", _("Train")
    CAR = "car", _("Car")


class Movement(models.Model):
    """A planned transfer of households from one site to another."""

    from_site = models.ForeignKey(
        Site, verbose_name=_("from"), on_delete=models.PROTECT, related_name="departures"
    )
    to_site = models.ForeignKey(
        Site, verbose_name=_("to"), on_delete=models.PROTECT, related_name="arrivals"
    )
    planned_on = models.DateField(_("date"))
    means = models.CharField(_("means"), max_length=10, choices=Means.choices)
    seats = models.PositiveIntegerField(_("seats"))
    status = models.CharField(
        _("status"), max_length=10, choices=MovementStatus.choices, default=MovementStatus.PLANNED
    )
    departed_on = models.DateField(_("departed on"), null=True, blank=True)
    arrived_on = models.DateField(_("arrived on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-planned_on", "-pk"]
        verbose_name = _("movement")
        verbose_name_plural = _("movements")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_site=F("to_site")), name="movement_goes_somewhere"
            )
        ]

    def __str__(self):
        return f"{self.from_site} → {self.to_site}, {self.planned_on}"

    @property
    def audit_site_id(self) -> int:
        return self.from_site_id


class Passenger(models.Model):
    """One person on a movement's manifest, and what the headcounts said of them."""

    movement = models.ForeignKey(Movement, on_delete=models.CASCADE, related_name="passengers")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="journeys")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    boarded = models.BooleanField(_("boarded"), null=True)
    arrived = models.BooleanField(_("arrived"), null=True)

    class Meta:
        ordering = ["household", "person"]
        constraints = [
            models.UniqueConstraint(fields=["movement", "person"], name="on_a_manifest_once")
        ]

    def __str__(self):
        return f"{self.person_id} on {self.movement_id}"


class FollowUp(models.Model):
    """Someone who boarded and did not arrive: never silently dropped, followed up until found."""

    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="follow_ups"
    )
    movement = models.ForeignKey(Movement, on_delete=models.PROTECT, related_name="follow_ups")
    opened_on = models.DateField(_("opened on"))
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    resolution = models.CharField(_("resolution"), max_length=200, blank=True)

    class Meta:
        ordering = ["-opened_on"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self):
        return f"{self.person_id} after {self.movement_id}"

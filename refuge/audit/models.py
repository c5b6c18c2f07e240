import json

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class Action(models.TextChoices):
    VIEW = "view", _("viewed")
    SEARCH = "search", _("searched")
    CREATE = "create", _("created")
    CHANGE = "change", _("changed")
    DELETE = "delete", _("deleted")
    EXPORT = "export", _("exported")
    LOGIN = "login", _("signed in")
    DENIED = "denied", _("was refused access")
    MERGE = "merge", _("merged")
    UNMERGE = "unmerge", _("unmerged")
    LOGIN_FAILED = "login_failed", _("failed to sign in")
    LOCKED_OUT = "locked_out", _("was locked out")
    LOGOUT = "logout", _("signed out")
    DISCLOSE = "disclose", _("disclosed sealed audit details")


# Trail entries about things that are not rows (a page, a check), named for the reader.
OBJECT_TYPE_LABELS = {
    "accounts.two_factor": _("two-factor authentication"),
    "audit.trail": _("audit trail"),
    "casework.worklist": _("worklist"),
    "identity.instant_check": _("instant check"),
    "identity.queue": _("review queue"),
}


class AuditEntry(models.Model):
    """One line of the append-only, hash-chained trail.

    Each entry's hash is an HMAC, under a key kept out of the database, of its own content and
    the previous entry's hash, so editing or deleting any entry breaks every link after it and
    cannot be rehashed without the key. The database refuses UPDATE, DELETE and TRUNCATE on
    this table (refuge.audit.triggers); the chain makes a forced change visible anyway, and a
    checkpoint kept elsewhere (`refuge audit anchor`) shows a rewrite by whoever holds the key.

    `detail` holds only what names no one (ids, codes, counts, field names); what an entry says
    about people is in `sealed`, encrypted under the audit data key.
    """

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        on_delete=models.PROTECT,  # staff are deactivated, never deleted: the trail keeps them
        related_name="+",
    )
    actor_username = models.CharField(_("actor's username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object"), max_length=64, blank=True)
    site_id = models.BigIntegerField(_("site"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    sealed = models.TextField(_("sealed detail"), blank=True, default="")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["object_type", "object_id", "seq"])]

    def __str__(self):
        return (
            f"#{self.seq} {self.actor_username} {self.action} {self.object_type}:{self.object_id}"
        )

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("Audit entries cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Audit entries cannot be deleted."))

    def compute_hash(self) -> str:
        from refuge.audit.keys import sign

        payload = {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "actor_id": self.actor_id,
            "actor": self.actor_username,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "site_id": self.site_id,
            "detail": self.detail,
            "sealed": self.sealed,
            "prev": self.prev_hash,
        }
        canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return sign("link", canonical.encode())

    @property
    def object_type_label(self) -> str:
        """What the entry is about as a word ("person"), not a code ("registry.person")."""
        if self.object_type in OBJECT_TYPE_LABELS:
            return str(OBJECT_TYPE_LABELS[self.object_type])
        try:
            return str(apps.get_model(self.object_type)._meta.verbose_name)
        except (LookupError, ValueError):
            return self.object_type


class ChainHead(models.Model):
    """The newest link, as one row to lock so that appends are serialised."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self):
        return f"#{self.last_seq} {self.last_hash[:12]}"

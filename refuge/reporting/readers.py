"""Who reads aggregates when no one is signed in: the command line and the weekly run."""

from __future__ import annotations

from dataclasses import dataclass

from refuge.accounts.roles import Capability, Role, capabilities_of


@dataclass(frozen=True)
class PublicReader:
    """Reads what an observer may (aggregates, suppressed) across every site; audited as the
    system, with no person behind it."""

    is_active: bool = True
    is_authenticated: bool = False
    site_ids: None = None
    role: str = Role.OBSERVER

    def can(self, capability: Capability) -> bool:
        return capability in capabilities_of(self.role)

    def can_access_site(self, site_id: int | None) -> bool:
        return site_id is not None

    def scope(self, queryset, field: str = "site"):
        return queryset

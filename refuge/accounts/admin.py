from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from refuge.accounts import services
from refuge.accounts.models import RoleGrant, User


def _scope(user: User) -> tuple:
    return (user.all_sites, sorted(user.sites.values_list("pk", flat=True)))


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """The admin goes through the same audited services as everyone: a role that reads case
    notes waits for a second approval; role, sites and passwords leave an audit entry."""

    list_display = ("username", "first_name", "last_name", "role", "all_sites", "is_active")
    list_filter = ("role", "all_sites", "is_active")
    filter_horizontal = ("sites", "groups", "user_permissions")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Refuge"), {"fields": ("role", "sites", "all_sites", "preferred_language")}),
    )

    def save_model(self, request, obj, form, change):
        wanted = obj.role
        if change:
            obj.role = User.objects.values_list("role", flat=True).get(pk=obj.pk)
        else:
            obj.role = User._meta.get_field("role").default
        super().save_model(request, obj, form, change)
        if not change:
            services.record_password_change(user=obj, by=request.user)
        request._refuge_scope_before = _scope(obj) if change else (False, [])
        grant = services.change_role(user=obj, role=wanted, by=request.user)
        if grant is not None:
            messages.warning(
                request,
                _(
                    "The role %(role)s reads case notes: it is given once a second "
                    "administrator or the data protection officer approves it."
                )
                % {"role": grant.get_role_display()},
            )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        before = getattr(request, "_refuge_scope_before", (False, []))
        form.instance.refresh_from_db(fields=["all_sites"])
        services.record_sites_change(
            user=form.instance, before=before, after=_scope(form.instance), by=request.user
        )

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            services.record_password_change(user=User.objects.get(pk=id), by=request.user)
        return response


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    """Read-only here: grants are decided on the approvals page, by someone else."""

    list_display = ("user", "role", "requested_by", "requested_at", "status", "decided_by")
    list_filter = ("status", "role")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The TOTP secret is a second factor only while nobody else has seen it: the admin lists and
# removes devices (audited) but never shows, nor lets anyone set, the key.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "confirmed")
    fields = ("user", "name", "confirmed")
    readonly_fields = ("user", "name", "confirmed")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.record_two_factor_change(user=obj.user, by=request.user, what="removed")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for device in queryset:
            services.record_two_factor_change(user=device.user, by=request.user, what="removed")
        super().delete_queryset(request, queryset)

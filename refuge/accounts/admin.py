from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from refuge.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "all_sites", "is_active")
    list_filter = ("role", "all_sites", "is_active")
    filter_horizontal = ("sites", "groups", "user_permissions")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Refuge"), {"fields": ("role", "sites", "all_sites", "preferred_language")}),
    )

from django.contrib import admin

from refuge.sites.models import Bed, Building, Room, Site


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_ru", "name_ar", "kind", "region", "capacity", "is_active")
    list_filter = ("kind", "region", "is_active")


class BedInline(admin.TabularInline):
    model = Bed
    extra = 0


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("name", "building", "accessible", "family_room", "women_only")
    list_filter = ("building__site", "accessible", "family_room", "women_only")
    inlines = [BedInline]


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ("name", "name_ru", "name_ar", "site")
    list_filter = ("site",)

from django.contrib import admin

from .models import County, Region, RegionCounty, RegionState, RegionZip, State, ZipCode


@admin.register(State)
class StateAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "fips", "is_territory"]
    list_filter = ["is_territory"]
    search_fields = ["name", "code"]


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ["name", "state", "fips"]
    list_filter = ["state"]
    search_fields = ["name", "fips"]
    list_select_related = ["state"]


@admin.register(ZipCode)
class ZipCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "city", "state", "county", "timezone", "kind"]
    list_filter = ["kind", "is_active", "state"]
    search_fields = ["code", "city"]
    list_select_related = ["state", "county__state"]
    raw_id_fields = ["county"]


class RegionStateInline(admin.TabularInline):
    model = RegionState
    extra = 0


class RegionCountyInline(admin.TabularInline):
    model = RegionCounty
    extra = 0
    raw_id_fields = ["county"]


class RegionZipInline(admin.TabularInline):
    model = RegionZip
    extra = 0
    raw_id_fields = ["zip_code"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "partner"]
    list_filter = ["status"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["partner"]
    inlines = [RegionStateInline, RegionCountyInline, RegionZipInline]

"""Vocabularies of the registry (DOMAIN.md). Codes are stored and exported; labels are shown."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationType(models.TextChoices):
    CUSTOMS_BROKER = "customs_broker", _("Customs broker")
    FREIGHT_FORWARDER = "freight_forwarder", _("Freight forwarder")
    IMPORTER = "importer", _("Importer")
    EXPORTER = "exporter", _("Exporter")
    MANUFACTURER = "manufacturer", _("Manufacturer")
    CARRIER = "carrier", _("Carrier")
    SHIPPING_AGENT = "shipping_agent", _("Shipping agent")
    AIRLINE = "airline", _("Airline")
    PORT_OPERATOR = "port_operator", _("Port or terminal operator")
    WAREHOUSE = "warehouse", _("Warehouse")
    COURIER = "courier", _("Courier")
    BANK = "bank", _("Bank")
    CHAMBER_OF_COMMERCE = "chamber_of_commerce", _("Chamber of commerce")
    TRADE_ASSOCIATION = "trade_association", _("Trade association")
    GOVERNMENT_AGENCY = "government_agency", _("Government agency")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    MEDIA = "media", _("Media")
    ACADEMIA = "academia", _("Academia")
    DEVELOPMENT_PARTNER = "development_partner", _("Development partner")
    OTHER = "other", _("Other")


class Sector(models.TextChoices):
    AGRICULTURE_FOOD = "agriculture_food", _("Agriculture and food")
    EXTRACTIVES = "extractives", _("Mining and extractives")
    ENERGY = "energy", _("Energy")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    CONSTRUCTION = "construction", _("Construction")
    HEALTH_PHARMA = "health_pharma", _("Health and pharmaceuticals")
    RETAIL_WHOLESALE = "retail_wholesale", _("Retail and wholesale trade")
    TRANSPORT_LOGISTICS = "transport_logistics", _("Transport and logistics")
    FINANCE = "finance", _("Finance and insurance")
    ICT = "ict", _("Information and communication technology")
    TEXTILES = "textiles", _("Textiles and clothing")
    AUTOMOTIVE = "automotive", _("Automotive")
    PUBLIC_SECTOR = "public_sector", _("Public sector")
    NON_PROFIT = "non_profit", _("Non-profit")
    OTHER = "other", _("Other")


class Size(models.TextChoices):
    MICRO = "micro", _("Micro")
    SMALL = "small", _("Small")
    MEDIUM = "medium", _("Medium")
    LARGE = "large", _("Large")


class AeoStatus(models.TextChoices):
    NONE = "none", _("Not an AEO")
    APPLICANT = "applicant", _("AEO applicant")
    CERTIFIED = "certified", _("AEO certified")
    SUSPENDED = "suspended", _("AEO suspended")
    REVOKED = "revoked", _("AEO revoked")


class Stance(models.TextChoices):
    UNAWARE = "unaware", _("Unaware")
    RESISTANT = "resistant", _("Resistant")
    NEUTRAL = "neutral", _("Neutral")
    SUPPORTIVE = "supportive", _("Supportive")
    LEADING = "leading", _("Leading")


class OfficeKind(models.TextChoices):
    HEADQUARTERS = "headquarters", _("Headquarters")
    REGIONAL_DIRECTORATE = "regional_directorate", _("Regional directorate")
    BORDER_POST = "border_post", _("Border post")
    SEAPORT = "seaport", _("Seaport")
    AIRPORT = "airport", _("Airport")
    DRY_PORT = "dry_port", _("Dry port")


class Gender(models.TextChoices):
    FEMALE = "female", _("Woman")
    MALE = "male", _("Man")
    OTHER = "other", _("Other or not stated")


# Influence and interest (1–5) place an organization on the stakeholder map.
SCORE_CHOICES = [(n, str(n)) for n in range(1, 6)]
HIGH_SCORE = 4  # 4 or 5 is "high"


class MapQuadrant(models.TextChoices):
    MANAGE_CLOSELY = "manage_closely", _("Manage closely")
    KEEP_SATISFIED = "keep_satisfied", _("Keep satisfied")
    KEEP_INFORMED = "keep_informed", _("Keep informed")
    MONITOR = "monitor", _("Monitor")


def quadrant(influence: int | None, interest: int | None) -> MapQuadrant:
    high_influence = (influence or 0) >= HIGH_SCORE
    high_interest = (interest or 0) >= HIGH_SCORE
    if high_influence and high_interest:
        return MapQuadrant.MANAGE_CLOSELY
    if high_influence:
        return MapQuadrant.KEEP_SATISFIED
    if high_interest:
        return MapQuadrant.KEEP_INFORMED
    return MapQuadrant.MONITOR


# Preferred language: an ISO 639-1 code. Django's list, plus languages of the region it lacks.
_EXTRA_LANGUAGES = {
    "bm": ("Bambara", "bamanankan"),
    "wo": ("Wolof", "wolof"),
    "ff": ("Fula", "fulfulde"),
    "ha": ("Hausa", "hausa"),
    "yo": ("Yoruba", "yorùbá"),
    "mg": ("Malagasy", "malagasy"),
    "ln": ("Lingala", "lingála"),
}


def language_codes() -> dict[str, str]:
    """{code: local name} for every accepted ISO 639-1 code."""
    from django.conf.locale import LANG_INFO

    codes = {code: info["name_local"] for code, info in LANG_INFO.items() if len(code) == 2 and "name_local" in info}
    codes.update({code: local for code, (_english, local) in _EXTRA_LANGUAGES.items()})
    return codes


def language_name(code: str) -> str:
    return language_codes().get(code, code) if code else ""


def language_choices() -> list[tuple[str, str]]:
    """French and English first (the languages most contacts use), then the others by code."""
    codes = language_codes()
    first = [("fr", codes["fr"]), ("en", codes["en"])]
    rest = sorted((code, name) for code, name in codes.items() if code not in ("fr", "en"))
    return [("", "—")] + first + [(code, f"{name} ({code})") for code, name in rest]

"""Vocabularies of the engagement log and campaigns (DOMAIN.md). Codes are stored and exported."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EngagementKind(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    CONSULTATIVE_COMMITTEE = "consultative_committee", _("Consultative committee")
    WORKSHOP = "workshop", _("Workshop")
    TRAINING = "training", _("Training")
    WEBINAR = "webinar", _("Webinar")
    FIELD_VISIT = "field_visit", _("Field visit")
    AWARENESS_SESSION = "awareness_session", _("Awareness session")
    PHONE_CALL = "phone_call", _("Phone call")
    EMAIL = "email", _("E-mail exchange")
    SURVEY = "survey", _("Survey")
    MOU_SIGNING = "mou_signing", _("MoU signing")
    PRESS_EVENT = "press_event", _("Press event")


class Mode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    VIDEO = "video", _("Video call")
    PHONE = "phone", _("Phone")
    WRITTEN = "written", _("Written")


class Depth(models.TextChoices):
    """The IAP2 spectrum of public participation."""

    INFORM = "inform", _("Inform")
    CONSULT = "consult", _("Consult")
    INVOLVE = "involve", _("Involve")
    COLLABORATE = "collaborate", _("Collaborate")
    EMPOWER = "empower", _("Empower")


class Sentiment(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    NEGATIVE = "negative", _("Negative")
    MIXED = "mixed", _("Mixed")


class KeyFactorCode(models.TextChoices):
    """The ten key factors of the WCO Revised Arusha Declaration."""

    LEADERSHIP = "leadership", _("Leadership and commitment")
    REGULATORY_FRAMEWORK = "regulatory_framework", _("Regulatory framework")
    TRANSPARENCY = "transparency", _("Transparency")
    AUTOMATION = "automation", _("Automation")
    REFORM_MODERNIZATION = "reform_modernization", _("Reform and modernization")
    AUDIT_INVESTIGATION = "audit_investigation", _("Audit and investigation")
    CODE_OF_CONDUCT = "code_of_conduct", _("Code of conduct")
    HR_MANAGEMENT = "hr_management", _("Human resource management")
    MORALE_CULTURE = "morale_culture", _("Morale and organizational culture")
    PRIVATE_SECTOR_RELATIONSHIP = "private_sector_relationship", _("Relationship with the private sector")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_FOLLOW_UP_STATUSES = [FollowUpStatus.OPEN, FollowUpStatus.IN_PROGRESS]


class CommitmentType(models.TextChoices):
    MOU = "mou", _("Memorandum of understanding")
    LETTER_OF_INTENT = "letter_of_intent", _("Letter of intent")
    INTEGRITY_CHARTER = "integrity_charter", _("Integrity charter")
    CODE_OF_CONDUCT = "code_of_conduct", _("Code of conduct")
    ACTION_PLAN = "action_plan", _("Joint action plan")


class CommitmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    NEGOTIATION = "negotiation", _("In negotiation")
    SIGNED = "signed", _("Signed")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")


class ConcernStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class CampaignStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Channel(models.TextChoices):
    WORKSHOP = "workshop", _("Workshop")
    MEETING = "meeting", _("Meeting")
    POSTER = "poster", _("Poster")
    FLYER = "flyer", _("Flyer")
    BANNER = "banner", _("Banner")
    RADIO = "radio", _("Radio")
    TV = "tv", _("Television")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")
    SOCIAL_MEDIA = "social_media", _("Social media")
    WEBSITE = "website", _("Website")
    PRESS = "press", _("Press")
    EMAIL = "email", _("E-mail")


# Topics people raise (DOMAIN.md); a managed list, seeded by a data migration that keeps its own
# copy (docs/migrations.md): a topic added here reaches existing databases only by a new one.
DEFAULT_TOPICS = [
    ("release_delays", "Release delays", "Délais de mainlevée"),
    ("valuation_disputes", "Valuation disputes", "Litiges sur la valeur"),
    ("informal_payments", "Informal payments", "Paiements informels"),
    ("transit_guarantees", "Transit guarantees", "Garanties de transit"),
    ("e_payment", "E-payment", "Paiement électronique"),
    ("single_window", "Single window", "Guichet unique"),
    ("aeo_onboarding", "AEO onboarding", "Adhésion au programme OEA"),
    ("appeals", "Appeals", "Recours"),
    ("code_of_conduct", "Code of conduct", "Code de conduite"),
    ("reporting_channels", "Reporting channels", "Canaux de signalement"),
    ("women_small_traders", "Women small traders", "Petites commerçantes"),
]

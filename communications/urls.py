from django.urls import path

from communications.views import campaigns, engagements, follow_ups, organization_panels, registers

app_name = "communications"

urlpatterns = [
    path("engagements/", engagements.EngagementList.as_view(), name="engagement_list"),
    path("engagements/new/", engagements.engagement_create, name="engagement_create"),
    path("engagements/contact-options/", engagements.contact_options, name="contact_options"),
    path("engagements/<int:pk>/", engagements.engagement_detail, name="engagement_detail"),
    path("engagements/<int:pk>/edit/", engagements.engagement_edit, name="engagement_edit"),
    path("engagements/<int:pk>/held/", engagements.engagement_mark_held_view, name="engagement_mark_held"),
    path("engagements/<int:pk>/remove/", engagements.engagement_remove_view, name="engagement_remove"),
    path("engagements/<int:pk>/history/", engagements.engagement_history, name="engagement_history"),
    path(
        "organizations/<int:pk>/outcomes/",
        organization_panels.organization_outcomes,
        name="organization_outcomes",
    ),
    path("follow-ups/", follow_ups.FollowUpList.as_view(), name="followup_list"),
    path("follow-ups/<int:pk>/done/", follow_ups.follow_up_done, name="followup_done"),
    path("follow-ups/<int:pk>/edit/", follow_ups.follow_up_edit, name="followup_edit"),
    path("commitments/", registers.CommitmentList.as_view(), name="commitment_list"),
    path("commitments/new/", registers.commitment_create, name="commitment_create"),
    path("commitments/<int:pk>/", registers.commitment_detail, name="commitment_detail"),
    path("commitments/<int:pk>/edit/", registers.commitment_edit, name="commitment_edit"),
    path("commitments/<int:pk>/history/", registers.commitment_history, name="commitment_history"),
    path("concerns/", registers.ConcernList.as_view(), name="concern_list"),
    path("concerns/new/", registers.concern_create, name="concern_create"),
    path("concerns/<int:pk>/", registers.concern_detail, name="concern_detail"),
    path("concerns/<int:pk>/edit/", registers.concern_edit, name="concern_edit"),
    path("concerns/<int:pk>/history/", registers.concern_history, name="concern_history"),
    path("campaigns/", campaigns.CampaignList.as_view(), name="campaign_list"),
    path("campaigns/new/", campaigns.campaign_create, name="campaign_create"),
    path("campaigns/audience-size/", campaigns.audience_size, name="campaign_audience_size"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", campaigns.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/report/", campaigns.campaign_report, name="campaign_report"),
    path("campaigns/<int:pk>/mailing-list/", campaigns.campaign_mailing_list, name="campaign_mailing_list"),
    path("campaigns/<int:pk>/not-reached/", campaigns.campaign_not_reached, name="campaign_not_reached"),
    path("campaigns/<int:pk>/history/", campaigns.campaign_history, name="campaign_history"),
]

import factory
from django.contrib.auth.models import Group

from crm.accounts.roles import Role
from crm.models import User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))
            self.is_staff = extracted == Role.ADMINISTRATOR
            self.save(update_fields=["is_staff"])


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stakeholders.Region"
        django_get_or_create = ("name",)

    name = factory.Iterator(["Kayes", "Sikasso", "Bamako", "Thiès", "Maradi"])


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stakeholders.Organization"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Organisation Fictive {n}")
    type = "customs_broker"
    region = factory.SubFactory(RegionFactory)
    registration_number = factory.Sequence(lambda n: f"RC-TEST-{n:05d}")
    influence = 3
    interest = 3

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stakeholders.Contact"

    first_name = "Awa"
    last_name = factory.Sequence(lambda n: f"Fictive{n}")
    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"person{n}@fictive.example")


class EngagementFactory(factory.django.DjangoModelFactory):
    """An engagement saved straight to the database (tests of the rules go through the service)."""

    class Meta:
        model = "communications.Engagement"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Meeting {n}")
    kind = "meeting"
    author = factory.SubFactory(UserFactory)

    @factory.post_generation
    def organizations(self, create, extracted, **kwargs):
        if create:
            self.organizations.set(extracted or [OrganizationFactory()])
            # the dashboard's roll-ups follow every write, this one too (communications.rollups)
            from django.db import transaction

            from communications import rollups

            with transaction.atomic():  # as the services do: inside the write's transaction
                rollups.refresh(engagements=[self.pk])


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "communications.FollowUp"
        skip_postgeneration_save = True

    engagement = factory.SubFactory(EngagementFactory)
    description = factory.Sequence(lambda n: f"Send the minutes {n}")
    owner = factory.LazyAttribute(lambda o: o.engagement.author)
    due_on = factory.LazyFunction(lambda: __import__("django.utils.timezone").utils.timezone.localdate())

    @factory.post_generation
    def rollups(self, create, extracted, **kwargs):
        if create:
            from django.db import transaction

            from communications import rollups

            with transaction.atomic():  # as the services do: inside the write's transaction
                rollups.refresh(due_days=[self.due_on])


class ConcernFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "communications.Concern"

    organization = factory.SubFactory(OrganizationFactory)
    summary = "Release delays at Diboli"
    author = factory.SubFactory(UserFactory)

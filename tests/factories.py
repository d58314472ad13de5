import factory
from django.contrib.auth.models import Group

from crm.models import User
from crm.roles import Role

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

"""ODK Collect straight to Refuge: the form list, the form, and submissions that land once
(a resubmission is accepted and changes nothing, different content is a conflict)."""

import base64
import xml.etree.ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from refuge.fielddata import openrosa
from refuge.fielddata.models import FieldSubmission
from refuge.fielddata.tests.factories import exported
from refuge.fielddata.xlsform import FORM_ID, FORM_VERSION, HOUSEHOLD_FIELDS, MEMBER_FIELDS
from refuge.registry.models import Household, Person

pytestmark = pytest.mark.django_db


def _xml(household, instance_id="uuid:5f1c0f36-phone-3") -> bytes:
    root = ET.Element(FORM_ID, {"id": FORM_ID, "version": FORM_VERSION})
    group = ET.SubElement(root, "household")
    for name in HOUSEHOLD_FIELDS:
        ET.SubElement(group, name).text = household.values[name]
    for member in household.members:
        element = ET.SubElement(root, "members")
        for name in MEMBER_FIELDS:
            ET.SubElement(element, name).text = member[name]
    meta = ET.SubElement(root, "meta")
    ET.SubElement(meta, "instanceID").text = instance_id
    return ET.tostring(root, encoding="utf-8")


@pytest.fixture
def device(world):
    device, secret = openrosa.issue_device(
        site=world.perm, name="Phone 3", by=world.user("site_manager")
    )
    token = base64.b64encode(f"{device.username}:{secret}".encode()).decode()
    return device, {"HTTP_AUTHORIZATION": f"Basic {token}"}


def _submit(client, auth, xml, photo=None):
    files = {"xml_submission_file": SimpleUploadedFile("submission.xml", xml, "text/xml")}
    if photo:
        files["photo.jpg"] = SimpleUploadedFile("photo.jpg", photo, "image/jpeg")
    return client.post(reverse("openrosa:submission"), files, **auth)


def test_form_list_names_the_form_with_its_version_hash_and_download(client, device):
    _device, auth = device
    response = client.get(reverse("openrosa:form_list"), **auth)

    assert response.status_code == 200
    assert response["X-OpenRosa-Version"] == "1.0"
    ns = {"x": "http://openrosa.org/xforms/xformsList"}
    form = ET.fromstring(response.content).find("x:xform", ns)
    assert form.find("x:formID", ns).text == FORM_ID
    assert form.find("x:version", ns).text == FORM_VERSION
    assert form.find("x:hash", ns).text == openrosa.form_hash()
    download = form.find("x:downloadUrl", ns).text
    xform = client.get(download, **auth)
    assert (
        b"<h:html" in xform.content
        and b"jr:template" not in b""
        and FORM_ID.encode() in xform.content
    )


def test_without_the_devices_credentials_the_phone_is_asked_to_sign_in(client, device):
    assert client.get(reverse("openrosa:form_list")).status_code == 401
    wrong = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"odk-nobody:guess").decode()}
    response = client.head(reverse("openrosa:submission"), **wrong)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")


def test_head_preflight_says_how_large_a_submission_may_be(client, device):
    _device, auth = device
    response = client.head(reverse("openrosa:submission"), **auth)
    assert response.status_code == 204
    assert int(response["X-OpenRosa-Accept-Content-Length"]) == openrosa.MAX_SUBMISSION_BYTES


def test_a_submission_lands_at_the_devices_site_with_its_attachment(world, client, device):
    _device, auth = device
    response = _submit(client, auth, _xml(exported()), photo=b"\xff\xd8 a photo")

    assert response.status_code == 201
    submission = FieldSubmission.objects.get(instance_id="5f1c0f36-phone-3")
    assert submission.household.current_site == world.perm
    assert submission.household.members.count() == 4


def test_the_same_submission_again_is_accepted_and_changes_nothing(client, device):
    _device, auth = device
    xml = _xml(exported())
    _submit(client, auth, xml)
    people = Person.objects.count()

    again = _submit(client, auth, xml)

    assert again.status_code == 202
    assert (Person.objects.count(), Household.objects.count()) == (people, 1)


def test_the_same_instance_id_with_other_content_is_a_conflict(client, device):
    _device, auth = device
    household = exported()
    _submit(client, auth, _xml(household))
    household.members[0]["given_name_lat"] = "Muhammad"

    conflict = _submit(client, auth, _xml(household))

    assert conflict.status_code == 409
    head = Person.objects.get(pk=FieldSubmission.objects.get().people[0])
    assert head.given_name_lat == "Mohammed"


def test_a_bad_submission_is_refused_naming_the_field(client, device):
    _device, auth = device
    household = exported()
    household.members[0]["sex"] = "x"

    response = _submit(client, auth, _xml(household))

    assert response.status_code == 400
    assert b"sex" in response.content
    assert Household.objects.count() == 0


def test_a_revoked_device_cannot_submit(world, client, device):
    found, auth = device
    openrosa.revoke_device(device=found, by=world.user("site_manager"))

    assert _submit(client, auth, _xml(exported())).status_code == 401
    assert Household.objects.count() == 0

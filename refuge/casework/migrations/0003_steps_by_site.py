"""Worklists read a site's steps straight off StepProgress: each step row carries its person's
current site and whether it is open, with one index per worklist in the order it is read.

The four indexes of 0001 served queries that joined through case, person and household to find
the site; nothing reads through them any more.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_sites(apps, schema_editor):
    """One UPDATE with a correlated subquery: each step takes its household's current site."""
    StepProgress = apps.get_model("casework", "StepProgress")
    Case = apps.get_model("casework", "Case")
    StepProgress.objects.update(
        site=Subquery(
            Case.objects.filter(pk=OuterRef("case_id")).values(
                "person__household__current_site"
            )[:1]
        )
    )


READY_AND_OPEN = models.Q(("open", True), ("ready_since__isnull", False))


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0002_casework_pages"),
        ("registry", "0004_person_missing_since"),
        ("sites", "0002_rooms_beds_movements"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="stepprogress", name="casework_st_status_eecd48_idx"),
        migrations.RemoveIndex(model_name="stepprogress", name="casework_st_owner_i_8950f9_idx"),
        migrations.RemoveIndex(model_name="stepprogress", name="casework_st_step_id_6d71ad_idx"),
        migrations.RemoveIndex(model_name="stepprogress", name="casework_st_status_154a59_idx"),
        migrations.AddField(
            model_name="stepprogress",
            name="open",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Q(("status__in", ("done", "not_applicable")), _negated=True),
                output_field=models.BooleanField(),
            ),
        ),
        migrations.AddField(
            model_name="stepprogress",
            name="site",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="sites.site",
            ),
        ),
        migrations.RunPython(fill_sites, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="stepprogress",
            index=models.Index(
                condition=READY_AND_OPEN, fields=["site", "due_on", "id"], name="step_overdue"
            ),
        ),
        migrations.AddIndex(
            model_name="stepprogress",
            index=models.Index(
                condition=READY_AND_OPEN,
                fields=["site", "step", "due_on", "id"],
                name="step_overdue_by_step",
            ),
        ),
        migrations.AddIndex(
            model_name="stepprogress",
            index=models.Index(
                condition=READY_AND_OPEN,
                fields=["site", "step", "ready_since", "case"],
                name="step_waits",
            ),
        ),
        migrations.AddIndex(
            model_name="stepprogress",
            index=models.Index(
                condition=models.Q(("open", True)),
                fields=["owner", "due_on", "id"],
                name="step_owner_open",
            ),
        ),
        migrations.AddIndex(
            model_name="stepprogress",
            index=models.Index(
                fields=["site", "status", "status_since", "id"], name="step_status_since"
            ),
        ),
    ]

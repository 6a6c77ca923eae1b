"""Region-code indexes that can serve "everything in my area": varchar_pattern_ops on PostgreSQL.

An admin's lists, queues, exports and audit trail are scoped by a region-code prefix
(`region_code LIKE '230102%'`). A B-tree with the default operator class can serve a LIKE prefix
only when the database collation is C; under any other (C.UTF-8 on the bench, zh_CN.UTF-8 in a
typical deployment) PostgreSQL cannot use it, and a quiet area's list walks the whole table: the
audit trail of a county with no records took 365 ms on the bench's 2.5 million audit rows, a
parallel scan of all of them. Rebuilt with varchar_pattern_ops, under the same names, the same
request reads the index (0.05 ms), while a busy area's newest-first page still walks the primary
key backwards and stops after a page. Equality lookups use these indexes as before.

Only PostgreSQL is touched; SQLite's indexes and the models' declared indexes are unchanged.
Building takes about a second per million rows and blocks writes to that table meanwhile.
"""

from tortoise import migrations

from backend.migrations._postgres import postgres_only

# (index, table, key, predicate): every index whose key includes region_code as a plain column.
INDEXES = (
    ("idx_audit_recor_region__8e7f10", "audit_record", "region_code", ""),
    ("idx_case_story_region__6dba53", "case_story", "region_code", ""),
    ("idx_expert_prof_region__5f83c7", "expert_profile", "region_code", ""),
    ("idx_follow_up_region__6c9910", "follow_up", "region_code", ""),
    ("idx_import_job_region__19a7cc", "import_job", "region_code", ""),
    ("idx_ledger_entr_region__78fb1f", "ledger_entry", "region_code", ""),
    ("idx_rating_region__2fcd36", "rating", "region_code", ""),
    ("idx_role_grant_region__85033e", "role_grant", "region_code", ""),
    ("idx_service_bas_region__d8c9e1", "service_base", "region_code", ""),
    ("idx_service_ord_region__06bc73", "service_order", "region_code", ""),
    ("idx_service_ord_status_399115", "service_order", "status, region_code", ""),
    ("idx_service_tea_region__c8a030", "service_team", "region_code", ""),
    ("idx_visit_region__0302e9", "visit", "region_code", ""),
    ("visit_flagged_region", "visit", "region_code", " WHERE status = 'flagged'"),
)


def _rebuild(pattern_ops: bool) -> str:
    statements = []
    for name, table, key, predicate in INDEXES:
        if pattern_ops:
            key = key.replace("region_code", "region_code varchar_pattern_ops")
        statements.append(f'DROP INDEX IF EXISTS "{name}";\nCREATE INDEX "{name}" ON "{table}" ({key}){predicate};')
    return "\n".join(statements)


class Migration(migrations.Migration):
    dependencies = [('models', '0012_visit_status_index')]

    initial = False

    operations = [
        postgres_only(_rebuild(pattern_ops=True), _rebuild(pattern_ops=False)),
    ]

"""analyst role: cluster analysts read the regional statistics

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 08:00:00

"""
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

OLD = "role IN ('learner', 'trainer', 'employer', 'admin')"
NEW = "role IN ('learner', 'trainer', 'employer', 'analyst', 'admin')"


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_user_account_role_known"), type_="check")
        batch_op.create_check_constraint("role_known", NEW)


def downgrade():
    op.execute("UPDATE user_account SET role = 'learner' WHERE role = 'analyst'")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_user_account_role_known"), type_="check")
        batch_op.create_check_constraint("role_known", OLD)

"""credential status list: a status-list entry per certificate, published revocation lists

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 10:00:00.000000

Certificates issued before this revision have no entry (``status_list_index`` is NULL) and their
credentials carry no ``credentialStatus``. Signing needs the issuer's key files and the public
address, which a migration should not touch, so ``flask certificates reissue-credentials`` gives
each of them an entry and a re-issued credential: run it once after upgrading.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('status_list',
    sa.Column('number', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('credential_jwt', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('number', name=op.f('pk_status_list'))
    )
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_list_index', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_certificate_status_list_index'), ['status_list_index'])


def downgrade():
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_certificate_status_list_index'), type_='unique')
        batch_op.drop_column('status_list_index')

    op.drop_table('status_list')

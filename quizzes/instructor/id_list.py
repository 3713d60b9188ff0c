"""`column IN (ids)` for a cohort's worth of ids, written into the SQL as integer literals.

A cohort-wide aggregate filters the course's running totals by the cohort's trainees. As a join to
the enrollments its plan collapses on data loaded since the last ANALYZE (see
selectors._skill_summary); as `user_id__in=ids` Django sends one parameter per id, and at 5,000
trainees psycopg spent about 75 ms splitting the query's 5,000 placeholders, Django preparing each
value, and a prepared statement's generic plan would hold the list as a parameter, which
PostgreSQL compares id by id instead of hashing it. Integer literals (each passed through int(),
so nothing but digits reaches the SQL) are a constant list: PostgreSQL hashes it (as an array of
the column's own type: 18 ms where a bigint[] against an integer column took 227 ms at 5,000),
SQLite needs no parameters for it, and the query's text is parsed once.
"""

from django.db.models import BooleanField, Expression, F


class IdIn(Expression):
    """A filter, `queryset.filter(IdIn("user_id", ids))`: true where the column holds one of the ids."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, column: str, ids):
        super().__init__()
        self.column = F(column)
        self.ids = sorted({int(i) for i in ids})

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        resolved = self.copy()
        resolved.column = self.column.resolve_expression(query, allow_joins, reuse, summarize, for_save)
        return resolved

    def as_sql(self, compiler, connection):
        column, params = compiler.compile(self.column)
        if not self.ids:
            return "1 = 0", []
        if connection.vendor == "postgresql":
            # An array of the column's own type: integer = ANY(bigint[]) is compared, not hashed.
            array_of = self.column.output_field.db_type(connection)
            return f"{column} = ANY('{{{','.join(map(str, self.ids))}}}'::{array_of}[])", params
        return f"{column} IN ({', '.join(map(str, self.ids))})", params

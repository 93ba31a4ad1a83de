"""Recording what a request writes to the database."""


class Writes:
    """Records every statement that would change a table (sessions aside): pass one to
    `connection.execute_wrapper`, then read its `statements`."""

    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        verb = sql.lstrip().split(None, 1)[0].upper()
        if verb in ("INSERT", "UPDATE", "DELETE", "REPLACE") and "django_session" not in sql:
            self.statements.append(sql[:160])
        return execute(sql, params, many, context)

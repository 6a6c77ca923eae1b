import inspect

from tortoise.models import Model

import backend.models as models


def test_no_model_docstring_contains_a_semicolon():
    # Docstrings become table comments, and Tortoise's SQLite schema editor
    # splits statements on ';' — a semicolon there breaks the migration.
    offenders = [
        name for name, obj in vars(models).items()
        if inspect.isclass(obj) and issubclass(obj, Model) and ";" in (obj.__doc__ or "")
    ]
    assert offenders == []

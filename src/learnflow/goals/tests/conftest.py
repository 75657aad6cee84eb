from __future__ import annotations

import pytest


FRAMEWORK_CSV = (
    "skill,category,description,1 Aware,2 Working,3 Practitioner,4 Expert\n"
    "Python,Engineering,Writing and reading Python,Knows what it is,Writes small scripts,,Designs libraries\n"
    "SQL,Data,Querying relational databases,,,,\n"
    "Facilitation,People,Running meetings that decide,,,,\n"
)


@pytest.fixture
def framework(org):
    from learnflow.goals.framework import framework_import

    return framework_import(actor=org.lena, data=FRAMEWORK_CSV.encode(), filename="eng.csv",
                            name="Engineering skills").framework

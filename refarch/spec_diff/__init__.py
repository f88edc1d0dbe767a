"""`refarch specs diff`: what changed between two OpenAPI documents, and who it breaks.

``load_document`` reads and resolves a document, ``diff_documents`` compares two, and every
change names a rule of the catalog (``RULES``) with its severity and explanation.
"""

from refarch.spec_diff.catalog import RULES, Rule, Severity
from refarch.spec_diff.changes import Change
from refarch.spec_diff.document import DiffInputError, OpenApiDocument, load_document
from refarch.spec_diff.operations_diff import diff_documents

__all__ = [
    "RULES",
    "Change",
    "DiffInputError",
    "OpenApiDocument",
    "Rule",
    "Severity",
    "diff_documents",
    "load_document",
]

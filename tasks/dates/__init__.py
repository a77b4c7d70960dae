"""Date mentions and publication dates: a linear-time multilingual regex grammar; no field is invented.

Layers, each importing only those before it: vocab (words), grammar (patterns), resolve (values from an anchor),
scan (candidates and mentions), publication (the document date).
"""

from tasks.dates.publication import DatedDocument, date_document
from tasks.dates.scan import DateFinding, find_dates

__all__ = ["DateFinding", "DatedDocument", "date_document", "find_dates"]

"""depeche: raw news articles in, typed Parquet tables out."""

__version__ = "0.1.0"

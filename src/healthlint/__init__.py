"""healthlint: a linter for health content written in Markdown.

Data flows one way: paths -> documents (text, front matter, source map) ->
rule kinds -> diagnostics -> formatters. See ``docs/`` for the user guide.
"""

__version__ = "0.1.0"

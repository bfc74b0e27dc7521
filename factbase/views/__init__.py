"""Views: the documents (who, report, export) built from what :class:`factbase.FactBase`
returns, handed to the renderers in :mod:`factbase.render`.
"""

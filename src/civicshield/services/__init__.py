"""The use cases, one module per capability, each built on one shared :class:`ServiceContext`.

``triage`` (import, analysis, queue, senders, review), ``principals`` (the protected people and
their channels), ``incidents`` (incidents and evidence), ``exposure`` (the exposure audit) and
``accounts`` (staff users, sessions, API tokens, the audit log). Nothing here imports
``civicshield.app``, which builds the context and the services.
"""

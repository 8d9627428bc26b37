"""The member's own phone: a claim filled in, photographed and followed by the member.

``tables`` (what is stored), ``identity`` (ID numbers, phones), ``codes`` (one-time codes),
``notify`` (the notifier and its outbox), ``limits`` (rate limits), ``feedback`` (what an upload
was read as, in the member's words), ``claims`` (the use cases), ``pages`` (the web pages).
"""

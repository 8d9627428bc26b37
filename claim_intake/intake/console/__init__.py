"""The staff review console and the claimant's follow-up upload page, served by the API's app.

``app.install_console`` mounts it. What staff and claimants change on a claim is the lifecycle's
(``claim_intake.intake.lifecycle``); the pages here only translate forms into its use cases.
"""

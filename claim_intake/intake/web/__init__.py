"""The staff review console and the claimant's follow-up upload page, served by the API's app.

``app.install_console`` mounts it; ``review`` holds the staff's decisions (corrections, waivers)
that every assessment applies, and imports nothing of the web stack, so the job store can use it.
"""

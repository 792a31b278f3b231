"""Use cases that work out what to say, send or write, with no platform and no
pipeline: the scheduler's plan of a tick, digests and charts, the periodic
report writers (DOCX, XLSX, Markdown), the Excel status form, the plan and
people file readers, and the message catalogue (templates/)."""

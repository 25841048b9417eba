"""Question banks in the formats Moodle users exchange: GIFT and Moodle XML.

Pure modules (no ORM, no request): ``records`` holds the plain data both formats read into and
write from, ``gift`` and ``moodle_xml`` parse and write one format each, ``html_text`` turns
question text written in HTML into the plain text the portal shows, and ``reading`` chooses the
format of an uploaded file and decodes it. Saving to and reading from the database is
``assessments.question_bank_transfer``.
"""

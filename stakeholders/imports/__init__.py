"""Spreadsheet import of organizations and contacts: read → recognise columns → preview → write.

reading.py turns a CSV or XLSX file into a table; columns.py recognises headers and parses
values; preview.py classifies every row (new, update, duplicate, error) with one query per batch;
writing.py writes a preview without errors in one transaction.
"""

"""The plan checked over whole weather years: the dispatch LP built from the model's components
with the sizes fixed, the years' headlines, and the guarantee's choice of days and cuts.
"""

"""A campaign's look (colours, font, logo) and who may frame its pages: untrusted data, checked here."""

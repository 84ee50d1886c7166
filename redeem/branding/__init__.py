"""A campaign's look (colours, font, logo, copy) and who may frame its pages: checked here."""

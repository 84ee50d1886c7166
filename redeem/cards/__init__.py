"""What happens after a card is issued: its barcode, the till page, an offline copy, a reminder."""

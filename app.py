from redeem import create_app

app = create_app()

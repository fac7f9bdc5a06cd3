from bmdlab.cli import app

app()

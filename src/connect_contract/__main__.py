from connect_contract.cli import run

run()

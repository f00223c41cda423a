# gltd — two commands: `make demo` and `make test`. Each sets up what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
OUT := out
DEMO_DB := sqlite:///$(OUT)/demo.db

.PHONY: install demo test lint format bench clean lock lock-upgrade

# Installs come from the lock (exact versions with hashes), so a fresh machine gets
# the versions that passed CI; gltd itself is installed on top without resolving again.
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# The demo's illustrative basemap goes to its own folder (GLTD_BASEMAP_DIR), under out/.
demo: export GLTD_BASEMAP_DIR := $(OUT)/fonds
demo: $(STAMP)
	mkdir -p $(OUT)
	$(BIN)/gltd demo --db $(DEMO_DB) --seed 2018 --reset --basemap $(OUT)/fond-illustratif.mbtiles
	$(BIN)/gltd geocode demo-files $(OUT) --db $(DEMO_DB)
	$(BIN)/gltd geocode build $(OUT)/adresses-45-demo.csv.gz --db $(DEMO_DB)
	$(BIN)/gltd geocode run $(OUT)/faits-demo-adresses.csv --map id=N_FAIT,address=ADRESSE,postcode=CP,city=COMMUNE --out $(OUT)/faits-demo-geocodes.gpkg --db $(DEMO_DB)
	$(BIN)/gltd report --db $(DEMO_DB) --from 2018-03-24 --to 2018-09-24 --compare previous-year --format html --out $(OUT)/bilan.html
	$(BIN)/gltd report --db $(DEMO_DB) --from 2018-03-24 --to 2018-09-24 --compare previous-year --format pdf --out $(OUT)/bilan.pdf
	$(BIN)/gltd report --db $(DEMO_DB) --from 2018-03-24 --to 2018-09-24 --compare previous-year --format json --out $(OUT)/bilan.json
	$(BIN)/gltd report --db $(DEMO_DB) --from 2018-03-24 --to 2018-09-24 --compare previous-year --edition presse --format pdf --out $(OUT)/bilan-presse.pdf
	$(BIN)/gltd serve --db $(DEMO_DB) --demo-accounts --reference-date 24/09/2018

test: $(STAMP)
	$(BIN)/python -m pytest -n auto --dist loadscope

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

# Refresh the lock after changing dependencies in pyproject.toml (keeps current pins),
# or move every pin to the newest release allowed (lock-upgrade); commit requirements.lock.
LOCK_ARGS := --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
	--no-emit-find-links --extra dev --extra addok -o requirements.lock pyproject.toml
lock: $(STAMP)
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile $(LOCK_ARGS)

lock-upgrade: $(STAMP)
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --upgrade $(LOCK_ARGS)

clean:
	rm -rf $(OUT) build *.egg-info

# The two commands: `make demo` and `make test`. Each makes .venv if missing and installs qualcode into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR ?= demo-project
STAMP := $(VENV)/.installed
QC := $(BIN)/qualcode

.PHONY: demo test lint bench bench-scale install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# the gates first (seconds), then the suite: lint, format and types are part of the test
test: lint $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check qualcode tests scripts benchmarks
	$(BIN)/ruff format --check qualcode tests scripts benchmarks
	$(BIN)/mypy

demo: $(STAMP)
	rm -rf $(DEMO_DIR)
	@echo "== 1. a synthetic study: 143 interviews, 10 task forces, two simulated coders (plus the ground truth)"
	$(QC) demo generate $(DEMO_DIR) --interviews 143 --seed 1 --gold
	@echo "== 2. import: index the transcripts, check the project and the codebook"
	$(QC) -p $(DEMO_DIR) index
	$(QC) -p $(DEMO_DIR) check
	$(QC) -p $(DEMO_DIR) summary --by role
	@echo "== 3. autocode: rule-based suggestions, and how good they are against the ground truth"
	$(QC) -p $(DEMO_DIR) autocode --commit-as auto
	$(QC) -p $(DEMO_DIR) autocode evaluate --gold gold --top 0 -f csv | awk 'NR == 1 || /^[(]m/'
	@echo "== 4. agreement between the two demo coders (themes)"
	$(QC) -p $(DEMO_DIR) agree --coders coder_a,coder_b --depth 0 --boot 1000 --seed 1 --report $(DEMO_DIR)/agreement.html --disagreements $(DEMO_DIR)/disagreements.csv
	@echo "== 5. adjudication: what both coders applied becomes the consensus"
	$(QC) -p $(DEMO_DIR) adjudicate --coders coder_a,coder_b --as consensus --list $(DEMO_DIR)/to-decide.csv
	$(QC) -p $(DEMO_DIR) adjudicate --coders coder_a,coder_b --as consensus --apply $(DEMO_DIR)/to-decide.csv
	@echo "== 6. theme x role and theme x task force (participants who raised each theme)"
	$(QC) -p $(DEMO_DIR) matrix --by role --depth 0 --consensus -o $(DEMO_DIR)/themes-by-role.xlsx --plot $(DEMO_DIR)/themes-by-role.png
	$(QC) -p $(DEMO_DIR) matrix --by task_force --depth 0 --count percent --consensus
	@echo "== labor-trafficking barriers and victim-centered practice, % of each role"
	$(QC) -p $(DEMO_DIR) matrix --by role --codes LABOR --count percent --consensus
	$(QC) -p $(DEMO_DIR) matrix --by role --codes VCA --count percent --consensus
	@echo "== 7. the report"
	$(QC) -p $(DEMO_DIR) report --consensus -o $(DEMO_DIR)/report.html
	@echo
	@echo "Outputs in $(DEMO_DIR)/: report.html, agreement.html, themes-by-role.png, themes-by-role.xlsx,"
	@echo "disagreements.csv, to-decide.csv; codings/ holds every coder's log. Try:"
	@echo "  $(QC) -p $(DEMO_DIR) code --coder you"

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache

# make bench: every benchmark (about 10 minutes); make bench-scale: only the 1x/4x/16x pipeline run
bench: $(STAMP)
	mkdir -p benchmarks/results
	$(BIN)/python benchmarks/bench_import.py --json benchmarks/results/import.json
	$(BIN)/python benchmarks/bench_autocode.py --json benchmarks/results/autocode.json
	$(BIN)/python benchmarks/bench_agreement.py --json benchmarks/results/agreement.json
	$(BIN)/python benchmarks/bench_scale.py --json benchmarks/results/scale.json

bench-scale: $(STAMP)
	mkdir -p benchmarks/results
	$(BIN)/python benchmarks/bench_scale.py --json benchmarks/results/scale.json

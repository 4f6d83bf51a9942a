"""The rules as data (role words, unit forms, numbering-free tables …) and the bundled plan,
read through plangraph.ingest.resources; shipped inside the package."""

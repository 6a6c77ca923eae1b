"""Security and reliability suites: permission matrix, fuzzing, abuse limits, personal data, faults, audit."""

"""The learning needs analysis at the start of an enrolment (rule D12)."""

//! Tests of the CAP gateway against fixtures.

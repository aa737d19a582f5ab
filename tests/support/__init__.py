"""What the tests share: paths of the project, real local servers, Prism, the spec's
operations as the tests see them, and small helpers of more than one kind of test."""

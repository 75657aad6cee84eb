from learnflow.community.tests.conftest import communities, post_in  # noqa: F401

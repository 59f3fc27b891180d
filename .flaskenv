# Read by `flask` commands run in this folder (python-dotenv): the settings of a development
# checkout. Variables already in the environment win, and gunicorn never reads this file, so a
# production deployment sets LMS_ENV=production (the default) and LMS_PUBLIC_URL for real.
FLASK_APP=wsgi
LMS_ENV=development

"""The agent console (坐席工作台): login, queue, tickets, legal-aid applications, callbacks and
statistics, server-rendered with Jinja2 and mounted into the web app on :8000."""

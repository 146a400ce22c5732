"""The tests' browser (BROWSER, or xdg-open on PATH): records the URL it is
given in $TEST_BROWSER_LOG and does what a person would.

- An Identity Center /authorize URL (the authorization code): follows it,
  and the redirect back to the loopback callback, as a browser does. With
  TEST_BROWSER_STATE set, it comes back with that state instead (a page
  other than the sign-in's).
- A device verification URL: approves its user code at the local Identity
  Center ($TEST_IDENTITY_CENTER) once awscreds-rs has polled at least once
  (so that the test sees a pending poll), giving up after 30 s.

- With TEST_BROWSER_CONSOLE set, the console's address: followed while it
  stays on 127.0.0.1, and the console's address it reaches recorded as
  `reached URL`. An `ext+container:` link is opened in its container
  (recorded as `container NAME`).

Usage: browser.py URL
"""
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

url = sys.argv[1]
with open(os.environ["TEST_BROWSER_LOG"], "a") as log:
    log.write(url + "\n")

if url.startswith("ext+container:"):
    # The "Open external links in a container" extension's link: the
    # container is recorded, the page opened as the extension would.
    query = dict(urllib.parse.parse_qsl(url[len("ext+container:"):]))
    with open(os.environ["TEST_BROWSER_LOG"], "a") as log:
        log.write("container " + query["name"] + "\n")
    url = query["url"]

if os.environ.get("TEST_BROWSER_CONSOLE"):
    # The console's address: followed on this machine (the single-use
    # redirect, then the federation endpoint's login step), and stopped
    # at the console itself, whose address is recorded.
    class Local(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req, fp, code, msg, headers, newurl):
            if not newurl.startswith("http://127.0.0.1"):
                with open(os.environ["TEST_BROWSER_LOG"], "a") as log:
                    log.write("reached " + newurl + "\n")
                return None
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    try:
        urllib.request.build_opener(Local).open(url, timeout=30).read()
    except urllib.error.HTTPError:
        pass
    sys.exit(0)

if "/authorize?" in url:
    forged = os.environ.get("TEST_BROWSER_STATE")

    class Back(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req, fp, code, msg, headers, newurl):
            if forged is not None:
                parts = urllib.parse.urlsplit(newurl)
                query = dict(urllib.parse.parse_qsl(parts.query))
                query["state"] = forged
                newurl = parts._replace(query=urllib.parse.urlencode(query)).geturl()
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    try:
        urllib.request.build_opener(Back).open(url, timeout=30).read()
    except urllib.error.HTTPError:
        pass  # the callback's own 400 for a refused return
    sys.exit(0)

center = os.environ["TEST_IDENTITY_CENTER"]
code = url.split("user_code=")[-1]
deadline = time.time() + 30
while time.time() < deadline:
    calls = json.load(urllib.request.urlopen(center + "/test/calls"))
    if "CreateToken:device_code" in calls:
        break
    time.sleep(0.05)
request = urllib.request.Request(center + "/test/approve",
                                 data=json.dumps({"userCode": code}).encode())
urllib.request.urlopen(request)

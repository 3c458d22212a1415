"""tableauserverclient side of the publish benchmark: sign in with a PAT and publish one file.

    python bench/tsc_publish.py URL FILE NAME      (PAT from HYPERPIPE_TABLEAU_TOKEN_NAME/_SECRET)
"""
import os
import sys

import tableauserverclient as TSC


def main():
    url, path, name = sys.argv[1:4]
    server = TSC.Server(url, use_server_version=True)
    server.auth.sign_in(TSC.PersonalAccessTokenAuth(os.environ["HYPERPIPE_TABLEAU_TOKEN_NAME"],
                                                    os.environ["HYPERPIPE_TABLEAU_TOKEN_SECRET"], site_id=""))
    project = next(p for p in TSC.Pager(server.projects) if p.name == "Default")
    server.datasources.publish(TSC.DatasourceItem(project.id, name=name), path, "CreateNew")
    server.auth.sign_out()


if __name__ == "__main__":
    main()

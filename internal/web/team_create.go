package web

import (
	"net/http"
	"strings"

	"lindu/internal/domain"
)

// Creating a team (POST /tim): PermManageTeams.

func (s *Server) teamCreate(w http.ResponseWriter, r *http.Request) {
	t := domain.Team{Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind"),
		RegionCode: strings.TrimSpace(r.PostFormValue("region_code")), MemberIDs: r.PostForm["members"]}
	if _, err := s.cases.CreateTeam(r.Context(), principalOf(r).Scope, t); err != nil {
		s.teamsFailed(w, r, "team", err, nil)
		return
	}
	http.Redirect(w, r, "/tim?ok=team_created", http.StatusSeeOther)
}
